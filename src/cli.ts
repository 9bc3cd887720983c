// Command-line administration: `npm run cli -- <command>` locally, `node dist/cli.js <command>` in
// the image (for example as a Cloud Run job). Same Node 24 guard as the server.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(`VocoEng needs Node 24 but this is Node ${process.versions.node}. Use \`npm run cli -- …\` or the container image.\n`);
  process.exit(1);
}

const { runCli } = await import('./cli/run-cli.js');
const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};
process.exitCode = await runCli(process.argv.slice(2), process.env, { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }, readStdin);
