// Entry point. The version check runs before anything else is loaded: the project pins Node 24
// (the `node` devDependency locally, the image's own Node in production), and the system Node 20
// would fail later in confusing ways.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(
    `VocoEng needs Node 24 but this is Node ${process.versions.node}. Start it with \`npm start\` (which uses the project's pinned Node) or in the container image.\n`,
  );
  process.exit(1);
}

const { run } = await import('./server.js');
await run(process.env);
