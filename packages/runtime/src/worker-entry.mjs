// piscina worker entry. Node 20 worker threads inherit neither tsx nor resolve hooks from the main
// thread, so register this copy's loader (loader.mjs) before loading the worker host.
import { COMPILED, registerLoader } from './loader.mjs';

await registerLoader();
const { runWorker } = await import(COMPILED ? './worker-host.js' : './worker-host.ts');

export default runWorker;
