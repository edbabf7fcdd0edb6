export { NATS_ERROR_CODES, NATS_SERVER_INSTALL_HINT, type NatsErrorCode, NatsEdgeError } from './errors.js';
export { findNatsServer, freePort, type NatsServer, type NatsServerOptions, startNatsServer } from './server.js';
