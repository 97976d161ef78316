// The parse stage's public face: one line (or a joined multiline record) → LogRecord, and the joiner.
export type {
  JoinedRecord, LineFormat, LineParser, MultilineConfig, MultilineCut, ParsedLine, ParserConfig,
} from './types.js';
export { createJsonLineReader, createLineParser, type JsonLineReader } from './line-parser.js';
export { isConsumedKey, type VerbatimFacts, type VerbatimJson } from './json-verbatim.js';
export { MultilineJoiner, markCut, MULTILINE_CUT_ATTRIBUTE } from './multiline.js';
export { ParserConfigError } from './errors.js';
