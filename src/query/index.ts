// The query language (lunr syntax) → a store-neutral search plan; see plan.ts for the semantics.
export { planQuery, DEFAULT_MAX_EXPANSIONS, type PlanOptions } from './plan.js';
export { QueryError, type QueryErrorCode, type QueryErrorDetails } from './errors.js';
export { type VocabularySource, type VocabularyField, VOCABULARY_SCAN_LIMIT, MAX_EXPANDED_TERMS } from './expand.js';
export { MAX_QUERY_LENGTH, MAX_CLAUSES } from './syntax.js';
export { MAX_WILDCARDS, MAX_FUZZY_LENGTH, MAX_EDIT_DISTANCE } from './patterns.js';
export { messageTokens } from './tokens.js';
