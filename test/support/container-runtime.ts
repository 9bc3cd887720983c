/**
 * Whether a container runtime answers, probed with a 2 s limit: a socket that accepts and never
 * answers makes testcontainers hang for minutes. `VOCOENG_EMULATORS=gcloud` forces local processes.
 */
export async function containerRuntimeAnswers(): Promise<boolean> {
  if (process.env.VOCOENG_EMULATORS === 'gcloud') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const probe = getContainerRuntimeClient().then(() => true, () => false);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref());
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  }
}
