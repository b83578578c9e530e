export { createRng } from './random';
