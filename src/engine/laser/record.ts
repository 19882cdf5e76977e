/** The record schema is pure zod and lives in src/common so the API contract can carry records. */
export * from '../../common/laser/record.ts';
