// `npm run provision` runs src/provision.ts (compiled into the image as dist/provision.js); this
// path is kept for anyone who runs the script by its old name.
await import('../src/provision.js');
