/** The figures' XML parser (../xml.ts), which tests use to look figures up by element and attribute. */
export * from '../xml.ts';
