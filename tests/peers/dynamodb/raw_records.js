'use strict';

// The records of one GetRecords answer as the service sent them: the raw text of each element
// of "Records", so nothing (numbers, dates) is reformatted by a JSON round trip.
function rawRecords(body) {
  const at = body.indexOf('"Records"');
  if (at < 0) return [];
  let i = body.indexOf('[', at) + 1;
  const records = [];
  let depth = 0;
  let start = -1;
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      for (i++; body[i] !== '"'; i++) if (body[i] === '\\') i++;
    } else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (depth === 0) break;  // the end of Records
      if (--depth === 0) records.push(body.slice(start, i + 1));
    }
  }
  return records;
}

module.exports = { rawRecords };
