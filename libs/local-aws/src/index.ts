export { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamo, startS3, type LocalDynamo, type LocalS3 } from './servers';
export { loadStepFunctionsEngine } from './step-functions';
