export * from './days';
export * from './errors';
export * from './manifest';
export * from './model';
export * from './orders';
export * from './predictions';
export * from './tables';
export * from './transactions';
