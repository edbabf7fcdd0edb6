export {
  type InstrumentListOptions,
  type LoadedInstrumentList,
  loadInstrumentList,
  type ParsedInstrumentList,
} from './instrument-list.js';
