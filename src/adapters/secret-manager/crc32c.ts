// CRC-32C (Castagnoli), the checksum Secret Manager sends as `payload.dataCrc32c`. Node's zlib
// only has the IEEE polynomial, hence this small table-driven version.
const POLYNOMIAL = 0x82f63b78; // 0x1EDC6F41 bit-reversed

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32C of `bytes` as an unsigned 32-bit number. Pass a previous result as `crc` to
 * continue a checksum over data that arrives in pieces.
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
