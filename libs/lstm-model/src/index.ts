export { BACKEND_LADDER, selectBackend, type BackendChoice, type BackendName } from './backend';
