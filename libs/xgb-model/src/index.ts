export { INSTALL_HINT, XGBoostLibraryError, loadLibrary, xgboostVersion } from './native';
