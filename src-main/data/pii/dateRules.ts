/**
 * Dates and ages over 89 (HIPAA Safe Harbor §164.514(b)(2)(i)(C): "all elements of dates
 * (except year) … and all ages over 89"). Besides full dates, clinical notes write dates without
 * a year ("10/18", "Feb 2", "March 4th", "on the 4th"), in EHR styles ("04-MAR-2021",
 * "2023/05/17"), as month and year ("08/2019") and with two-digit years and dashes ("10-12-22");
 * ages in short forms ("91F", "93 yo") and in words ("ninety-two year old").
 */
import type { Rule } from './structuredRecognisers.js';

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const MONTH_CAPS = String.raw`(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)`;
const WEEKDAY = String.raw`(?:Mon(?:day)?|Tue(?:s|sday)?|Wed(?:nesday)?|Thu(?:r|rs|rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)\.?`;
const ORDINAL = String.raw`(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)`;
const validDate = (m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= 31;
/** "Pain 2/10", "strength 5/5", "1/2 tab": fractions and scores, not dates. */
const SCORE_BEFORE =
  /(?:pain|strength|power|score|scale|grade|murmur|reflexes|motor|sensation|ratio|of|x|rated|gcs|apgar|mmse|moca|phq|gad|sofa|vas|nrs|breath sounds|bs)[ \t:=]*$/i;
const SCORE_AFTER =
  /^(?:[ \t]*(?:tabs?|tablets?|caps?|pills?|inch|in\b|cm|mm|strength|power|pain|ns\b|units?|of|dose|scale|score|murmur|times|x\b|%|[/\d]))/i;
const notAScore = (text: string, start: number, end: number) =>
  !SCORE_BEFORE.test(text.slice(Math.max(0, start - 20), start)) &&
  !SCORE_AFTER.test(text.slice(end, end + 12));
const SPELLED_AGE = String.raw`(?:ninety|one hundred(?: and)?|a hundred(?: and)?|hundred(?: and)?)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?`;

export const DATE_AND_AGE_RULES: readonly Rule[] = [
  {
    type: 'DATE',
    regex: /\b(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})\b/g,
    confidence: 0.93,
    source: 'date-mdy',
    accept: (v) => {
      const [a, b] = v.split('/').map(Number) as [number, number];
      return validDate(a, b) || validDate(b, a);
    },
  },
  {
    type: 'DATE',
    regex: /\b(?:19|20)\d{2}-(\d{2})-(\d{2})\b/g,
    confidence: 0.95,
    source: 'date-iso',
    accept: (v) => validDate(Number(v.slice(5, 7)), Number(v.slice(8, 10))),
  },
  {
    type: 'DATE',
    regex: /\b(\d{1,2})\.(\d{1,2})\.(?:19|20)\d{2}\b/g,
    confidence: 0.9,
    source: 'date-dmy-dots',
    accept: (v) => {
      const [d, m] = v.split('.').map(Number) as [number, number];
      return validDate(m, d);
    },
  },
  {
    type: 'DATE',
    regex: new RegExp(String.raw`\b${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b`, 'gi'),
    confidence: 0.95,
    source: 'date-month-day-year',
  },
  {
    type: 'DATE',
    regex: new RegExp(String.raw`\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\s+(?:19|20)\d{2}\b`, 'gi'),
    confidence: 0.95,
    source: 'date-day-month-year',
  },
  {
    type: 'DATE',
    regex: new RegExp(String.raw`\b${MONTH}\s+(?:19|20)\d{2}\b`, 'g'),
    confidence: 0.8,
    source: 'date-month-year',
  },
  {
    type: 'AGE',
    regex: /\b(\d{2,3})(?=(?:-| )?(?:years?|yrs?|y\/?o)\b|-year-old)/gi,
    confidence: 0.9,
    source: 'age-years',
    accept: (v) => Number(v) > 89 && Number(v) < 130,
  },
  {
    type: 'AGE',
    regex: /\b(?:aged?|age:)\s*(\d{2,3})\b/gi,
    group: 1,
    confidence: 0.9,
    source: 'age-cue',
    accept: (v) => Number(v) > 89 && Number(v) < 130,
  },
  {
    // Month and day without a year: "10/18", "3/6", "Thurs 6/9" (scores and fractions excluded).
    type: 'DATE',
    regex: /(?<![\w/.:-])(\d{1,2})\/(\d{1,2})(?![\w/-]|[.:]\d)/g,
    confidence: 0.8,
    source: 'date-md',
    accept: (v, text, start) => {
      const [m, d] = v.split('/').map(Number) as [number, number];
      return (
        validDate(m, d) && notAScore(text, start, start + v.length) && !/^0\d?$/.test(String(d)) && d !== 0
      );
    },
  },
  {
    // Month and year: "08/2019", "3/2021".
    type: 'DATE',
    regex: /(?<![\w/.-])(0?[1-9]|1[0-2])\/(?:19|20)\d{2}(?![\w/-]|\.\d)/g,
    confidence: 0.85,
    source: 'date-my',
  },
  {
    // Two-digit-year or four-digit-year dates with dashes: "10-12-22", "3-14-2023".
    type: 'DATE',
    regex: /(?<![\w/.-])(\d{1,2})-(\d{1,2})-(\d{4}|\d{2})(?![\w/-]|\.\d)/g,
    confidence: 0.85,
    source: 'date-mdy-dashes',
    accept: (v) => {
      const [a, b] = v.split('-').map(Number) as [number, number];
      return validDate(a, b) || validDate(b, a);
    },
  },
  {
    // Year first with slashes: "2023/05/17".
    type: 'DATE',
    regex: /\b(?:19|20)\d{2}\/(\d{1,2})\/(\d{1,2})\b/g,
    confidence: 0.93,
    source: 'date-ymd-slashes',
  },
  {
    // EHR style: "04-MAR-2021", "11-Apr-19", "04MAR2021".
    type: 'DATE',
    regex: new RegExp(String.raw`\b\d{1,2}[- ]?(?:${MONTH_CAPS}|${MONTH})[- ]?(?:19|20)?\d{2}\b`, 'gi'),
    confidence: 0.9,
    source: 'date-ehr',
  },
  {
    // Month and day without a year: "Feb 2", "March 4th", "September 9", "Wed 22 Nov", "12 January".
    type: 'DATE',
    regex: new RegExp(
      String.raw`\b(?:${WEEKDAY},?[ \t]+)?(?:${MONTH}[ \t]+(?:the[ \t]+)?(?:${ORDINAL}|[1-9]|[12]\d|3[01])\b|(?:${ORDINAL}|[1-9]|[12]\d|3[01])(?:[ \t]+of)?[ \t]+${MONTH}(?![\p{L}]))`,
      'gu',
    ),
    confidence: 0.85,
    source: 'date-month-day',
    accept: (v, text, start) =>
      !/^May\b/.test(v) ||
      (/^May[ \t]+\d/.test(v) &&
        !/\b(?:you|I|we|it|this)[ \t]*$/i.test(text.slice(Math.max(0, start - 5), start))),
  },
  {
    // "on the 4th", "since the 12th", "Friday the 8th": an ordinal used as a day of the month.
    type: 'DATE',
    regex: new RegExp(
      String.raw`(?:\b${WEEKDAY}[ \t]+)?\bthe[ \t]+${ORDINAL}(?=[ \t]*(?:[.,;:)!?]|$|and\b|or\b|at\b|to\b|until\b|when\b|\n|of[ \t]+(?:this|last|next)[ \t]+month))`,
      'gi',
    ),
    confidence: 0.75,
    source: 'date-ordinal',
    accept: (v, text, start) =>
      /^[A-Z]/.test(v) ||
      /\b(?:on|since|from|until|till|by|of|before|after|evening|morning|night)[ \t]+$/i.test(
        text.slice(Math.max(0, start - 12), start),
      ),
  },
  {
    // A month alone after a preposition: "stopped in May", "since October".
    type: 'DATE',
    regex: new RegExp(
      String.raw`(?<=\b(?:in|since|from|until|till|by|during|early|late|mid|of|last|next|this)[ \t]+)(?:January|February|March|April|May|June|July|August|September|October|November|December)\b(?![ \t]+(?:\d|\p{Lu}))`,
      'gu',
    ),
    confidence: 0.7,
    source: 'date-month',
  },
  {
    // Short forms: "91F", "93M", "101 yo", "94yo", "92 y.o.".
    type: 'AGE',
    regex: /\b(\d{2,3})(?=[ \t]?(?:[MF]\b|yo\b|y\.o\.|yr\b|yrs\b|-?years?\b|[ \t]*y\/o))/g,
    confidence: 0.9,
    source: 'age-short',
    accept: (v) => Number(v) > 89 && Number(v) < 130,
  },
  {
    // Spelled out: "ninety-two year old", "aged ninety-one", "one hundred and one".
    type: 'AGE',
    regex: new RegExp(
      String.raw`\b${SPELLED_AGE}(?=[- ]years?|[- ]year-old|-yo\b)|(?<=\baged?[ \t]+)${SPELLED_AGE}\b`,
      'gi',
    ),
    confidence: 0.9,
    source: 'age-words',
  },
];
