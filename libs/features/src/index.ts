export { kaplanMeier, survivalAt, type SurvivalCurve } from './kaplan-meier';
export { erfc, lognormalConditional, lognormalSurvival, normalSurvival, normalUpperQuantile } from './lognormal';
