// Creates VocoEng's Pub/Sub topics and subscriptions, idempotently, and prints what it did:
//   PROJECT_ID=my-project npm run provision                      (a real project, with gcloud credentials)
//   PROJECT_ID=demo PUBSUB_EMULATOR_HOST=127.0.0.1:8085 npm run provision   (the emulator)
//   node dist/provision.js                                       (the same, in the image: compose.yaml)
// WORKER_PUSH_ENDPOINT / API_PUSH_ENDPOINT make those subscriptions push (with PUSH_SERVICE_ACCOUNT
// for the OIDC token, whose audience is the receiving service's: WORKER_PUSH_AUDIENCE, default
// vocoeng-worker-push, and API_PUSH_AUDIENCE, default vocoeng-api-push, as the Cloud Build files
// declare); without them they are pull. API_PUSH_ENDPOINT also adds a push subscription on each
// dead-letter topic to the api's /internal/pubsub/dead-letters. PUBSUB_TOPIC,
// PUBSUB_INTERACTIONS_TOPIC, PUBSUB_SUBSCRIPTION and COALESCE_WINDOW_MS as the roles read them.
// See adapters/pubsub/provision.ts.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(`VocoEng needs Node 24 but this is Node ${process.versions.node}. Use \`npm run provision\` or the container image.\n`);
  process.exit(1);
}

const { createPubSub } = await import('./adapters/pubsub/pubsub-message-bus.js');
const { planFrom, provision } = await import('./adapters/pubsub/provision.js');

const projectId = process.env.PROJECT_ID;
if (!projectId) {
  process.stderr.write('usage: PROJECT_ID=… [PUBSUB_EMULATOR_HOST=…] npm run provision\n');
  process.exit(2);
}
const pubsub = createPubSub(projectId);
try {
  const plan = planFrom(process.env);
  await provision(pubsub, plan, (line) => process.stdout.write(`${line}\n`));
  if (!process.env.PUBSUB_EMULATOR_HOST) {
    process.stdout.write(
      'note: dead-lettering needs the Pub/Sub service agent (service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com) ' +
        'to hold roles/pubsub.publisher on the dead-letter topics and roles/pubsub.subscriber on the subscriptions above.\n',
    );
  }
} catch (error) {
  process.stderr.write(`provisioning failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await pubsub.close();
}
