export { parseInvoiceDate } from './timestamps';
