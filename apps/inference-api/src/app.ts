import express, { type Express } from 'express';

export interface ServingState {
  /** Set once the model artifact is loaded and verified. */
  modelVersion?: string;
}

/** The SageMaker serving contract's HTTP layer. */
export function createApp(state: ServingState): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/ping', (_req, res) => {
    if (state.modelVersion) res.status(200).json({ status: 'ok', model_version: state.modelVersion });
    else res.status(503).json({ status: 'loading' });
  });
  return app;
}
