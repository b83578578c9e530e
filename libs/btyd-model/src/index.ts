export { type BgNbdParams, bgnbdExpectedOrders, bgnbdLogLikelihood, bgnbdMedianWaitWithin, bgnbdPAlive, bgnbdPOrderWithin, fitBgNbd } from './bgnbd';
export type { BtydFit } from './fit';
export { BTYD_HYPERPARAMETERS } from './hyperparameters';
export { BGNBD_PARAMS_SCHEMA, BTYD_MODEL_FILE, type BtydModelType, BtydGapModel, bgnbdFactory, customerBaseQuantities, PARETO_NBD_PARAMS_SCHEMA, paretoNbdFactory } from './model';
export { fitParetoNbd, type ParetoNbdParams, paretoNbdLogLikelihood, paretoNbdMedianWaitWithin, paretoNbdPAlive, paretoNbdPOrderWithin, paretoNbdScore, type ParetoNbdScores, paretoNbdScoreMany } from './pareto-nbd';
export { compressSummaries, type CustomerSummaries, scoringSummaries, trainingSummaries } from './summary';
