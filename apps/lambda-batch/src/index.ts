export { handler, modelNameFor } from './handler';
