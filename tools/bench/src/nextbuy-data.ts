// nextbuy's side of bench:data for one file, in this process: read+clean+orders (`ingest`), then
// features (`buildTrainingTable`). Prints one JSON line. bench:data runs it bundled, as an app
// ships it (with the block-reading worker beside it).
import { orderDaySpan } from '@nextbuy/contracts';
import { buildTrainingTable } from '@nextbuy/features';
import { ingest } from '@nextbuy/ingestion';
import { measure } from './measure';

const read = await measure(() => ingest(process.argv[2]!));
const { orders, report } = read.result;
const features = await measure(() => buildTrainingTable(orders, orderDaySpan(orders).last + 1));
console.log(
  JSON.stringify({
    rows: report.rowsRead,
    orders: orders.nRows,
    read: { seconds: read.seconds, peakRssMb: read.peakRssMb },
    features: { seconds: features.seconds, peakRssMb: features.peakRssMb },
  }),
);
