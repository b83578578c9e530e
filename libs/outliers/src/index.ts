export { anomalyScore, averagePathLength } from './path-length';
