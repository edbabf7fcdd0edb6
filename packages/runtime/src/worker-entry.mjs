// piscina worker entry. Node 20 worker threads do not inherit the tsx loader from the main
// thread, so register it here before loading the (TypeScript) worker host.
import { register } from 'tsx/esm/api';

register();
const { runWorker } = await import('./worker-host.ts');

export default runWorker;
