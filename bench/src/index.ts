import 'reflect-metadata';

export { generateDataset, type DatasetSummary } from './dataset/dataset.generator.js';
export { loadDataset, openSubgraphDatabase, type LoadReport } from './dataset/dataset.load.js';
export {
  DEFAULT_EPOCH,
  PROPORTIONS,
  SIZES,
  sizeSpec,
  type DatasetSpec,
  type SizeName,
} from './dataset/dataset.spec.js';
export { verifyDataset, type Check } from './dataset/dataset.verify.js';
export { parseDatasetArgs, datasetCommand } from './dataset/dataset.command.js';
export { Random, Weighted } from './dataset/prng.js';
export { BufferedSink, type RowSink } from './dataset/row.sink.js';
export { SUBGRAPHS, TABLES, type SubgraphName, type TableSpec } from './dataset/tables.js';
