// `node --import <this file>`: registers the loader a child process needs (tsx from the sources,
// the build's resolve hook from dist), as the parent's own thread has it.
import { registerLoader } from './loader.mjs';

await registerLoader();
