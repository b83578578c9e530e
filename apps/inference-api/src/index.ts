export { createApp, type ServingState } from './app';
