export { buildProgram, parseTrainerArgs, type TrainerOptions } from './cli';
