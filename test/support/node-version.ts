// The project pins Node 24 through the `node` devDependency; a bare `vitest` from the system Node
// fails in confusing ways, so stop with a clear message instead.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  throw new Error(`VocoEng tests need Node 24 (found ${process.versions.node}). Run them with \`npm test\`.`);
}
