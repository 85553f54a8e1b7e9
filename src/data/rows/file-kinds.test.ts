import { describe, expect, it } from 'vitest';
import { trainingFileKind } from './file-kinds';
import { MANIFEST, PASSAGE_ROWS, QUERY_ROWS, TRIPLE_RECORDS } from './training-files';

describe('trainingFileKind', () => {
  it('tells the files a training folder holds apart by name', () => {
    expect([PASSAGE_ROWS, QUERY_ROWS, TRIPLE_RECORDS, MANIFEST].map(trainingFileKind)).toEqual(['rows', 'rows', 'triples', 'other']);
    // Another feature's files, by prefix whatever their extension; a name only containing the prefix is not one.
    expect(['bm25.postings', 'bm25-terms.bin', 'vectors.f16', 'vectors-dot-64.bin'].map(trainingFileKind)).toEqual(['bm25', 'bm25', 'vectors', 'vectors']);
    expect(['teacher-job.json', 'teacher-scores-0.bin', 'tokens-wordpiece-v1-file-1a2b-2500-61.rows'].map(trainingFileKind)).toEqual(['teacher', 'teacher', 'rows']);
    expect(['passages.bm25', 'my-vectors.bin', 'rows', 'notes.txt'].map(trainingFileKind)).toEqual(['other', 'other', 'other', 'other']);
  });
});
