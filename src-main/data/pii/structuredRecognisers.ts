/**
 * Pattern recognisers for the structured HIPAA Safe Harbor identifiers (45 CFR
 * §164.514(b)(2)(i)): dates, ages over 89, phone and fax numbers, email, SSN, medical record,
 * account and health-plan numbers, street addresses and ZIP codes, URLs, IP addresses, device
 * serial numbers and licence plates. Identifiers without a distinctive shape (MRN, account,
 * plan, device, plate) need a context cue before them; their patterns are configurable.
 */
import type { PiiMatch, PiiType } from './piiTypes.js';

export interface CuedPattern {
  type: PiiType;
  /** Words that introduce the identifier, as a regex source, e.g. 'MRN|Medical Record No\\.?'. */
  cue: string;
  /** The identifier itself, as a regex source, e.g. '[A-Z]?\\d{6,10}'. */
  value: string;
  confidence?: number;
}

export const DEFAULT_CUED_PATTERNS: readonly CuedPattern[] = [
  {
    type: 'MRN',
    cue: String.raw`MRN|Medical Record (?:No\.?|Number|#)|Med(?:ical)? Rec(?:ord)?\.? ?#|Hospital (?:No\.?|Number)|Chart (?:No\.?|#)`,
    value: String.raw`[A-Z]{0,2}\d{5,10}`,
  },
  {
    type: 'ACCOUNT',
    cue: String.raw`(?:Billing )?Account(?: No\.?| Number| #)?|Acct\.?(?: No\.?| #)?`,
    value: String.raw`[A-Z]{0,3}\d[\d-]{5,16}\d`,
  },
  {
    type: 'HEALTH_PLAN',
    cue: String.raw`(?:Insurance |Health ?plan |Plan )?(?:member|subscriber|beneficiary|policy) (?:ID|No\.?|Number|#)|Health ?plan (?:ID|No\.?|Number|#)|Medicare(?: No\.?| Number| ID)?|Medicaid(?: No\.?| Number| ID)?`,
    value: String.raw`[A-Z0-9][A-Z0-9-]{5,18}[0-9]`,
  },
  {
    type: 'DEVICE_ID',
    cue: String.raw`serial (?:number|no\.?|#)|S/N|device (?:ID|identifier|serial)|UDI|IMEI`,
    value: String.raw`[A-Z0-9][A-Z0-9-]{5,30}`,
  },
  {
    type: 'LICENSE_PLATE',
    cue: String.raw`licen[cs]e plate(?: number| no\.?)?|(?:car|vehicle) (?:with )?(?:registration|reg\.?|plate)(?: number| no\.?)?|plate(?: number| no\.?)?|registration(?: number| no\.?)`,
    value: String.raw`[A-Z0-9]{1,4}[- ]?[A-Z0-9]{2,5}`,
  },
  {
    type: 'SSN',
    cue: String.raw`SSN|Social Security(?: No\.?| Number| #)?`,
    value: String.raw`\d{3}-?\d{2}-?\d{4}`,
  },
  { type: 'ZIP', cue: String.raw`ZIP(?: code)?|postal code`, value: String.raw`\d{5}(?:-\d{4})?` },
];

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;

interface Rule {
  type: PiiType;
  regex: RegExp;
  confidence: number;
  source: string;
  /** Capture group holding the identifier (default 0: the whole match). */
  group?: number;
  accept?: (value: string, text: string, start: number) => boolean;
  /** Turns the type into another one from the text before the match (phone → fax). */
  retype?: (text: string, start: number) => PiiType;
}

const validDate = (m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= 31;

const STREET_SUFFIX = String.raw`(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Path|Pike|Alley|Row|Crescent|Close|Gardens|Grove|Hill|Hills|Heights|Park|Plaza|Point|Ridge|Run|View|Walk|Loop|Crossing|Crossroad|Creek|Cove|Cliff|Cliffs|Estates|Expressway|Extension|Falls|Ferry|Field|Fields|Flats|Ford|Forest|Forge|Forges|Fork|Fort|Freeway|Glen|Green|Harbor|Haven|Island|Junction|Key|Knoll|Lake|Lakes|Landing|Light|Lock|Lodge|Manor|Meadow|Meadows|Mill|Mills|Mission|Motorway|Mount|Mountain|Neck|Orchard|Oval|Overpass|Pass|Passage|Pine|Pines|Plains|Port|Prairie|Radial|Ranch|Rapid|Rapids|Rest|Route|Shoal|Shore|Shores|Skyway|Spring|Springs|Spur|Station|Stravenue|Stream|Summit|Throughway|Trace|Track|Trafficway|Tunnel|Turnpike|Underpass|Union|Valley|Valleys|Viaduct|Villages?|Ville|Vista|Wall|Well|Wells|Divide|Dale|Dam|Camp|Canyon|Cape|Causeway|Center|Centers|Common|Commons|Corner|Corners|Curve|Burg|Burgs|Bypass|Bluff|Bluffs|Bottom|Branch|Bridge|Brook|Brooks|Beach|Bend|Arcade|Crest|Mall|Mews|Port|Ports|Stream|Isle|Inlet|Hollow|Gateway|Garden|Gardens|Flat|Expy|Ext)`;

const RULES: readonly Rule[] = [
  {
    type: 'EMAIL',
    regex: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu,
    confidence: 0.99,
    source: 'email',
  },
  {
    type: 'URL',
    regex: /\b(?:https?:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]]/giu,
    confidence: 0.97,
    source: 'url',
  },
  {
    type: 'IP',
    regex: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
    confidence: 0.95,
    source: 'ipv4',
    accept: (v) => v.split('.').every((o) => Number(o) <= 255),
  },
  { type: 'IP', regex: /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi, confidence: 0.95, source: 'ipv6' },
  {
    type: 'SSN',
    regex: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g,
    confidence: 0.95,
    source: 'ssn',
  },
  {
    type: 'PHONE',
    regex: /(?<![\w.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])/g,
    confidence: 0.93,
    source: 'phone',
    retype: (text, start) =>
      /\bfax\b[^\d\n]{0,25}$/i.test(text.slice(Math.max(0, start - 30), start)) ? 'FAX' : 'PHONE',
  },
  {
    // UK-style numbers: 07700 900123, 020 7946 0958, 0161 496 0000.
    type: 'PHONE',
    regex: /(?<![\w.-])(?:0\d{4}[ ]?\d{6}|0\d{2,4} \d{3,4} \d{3,4})(?![\w-])/g,
    confidence: 0.85,
    source: 'phone-uk',
    retype: (text, start) =>
      /\bfax\b[^\d\n]{0,25}$/i.test(text.slice(Math.max(0, start - 30), start)) ? 'FAX' : 'PHONE',
  },
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
    type: 'ADDRESS',
    regex: new RegExp(
      String.raw`\b\d{1,6}[A-Z]?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:(?:\p{Lu}[\p{L}'.-]*|\d+(?:st|nd|rd|th))[ \t]+){0,4}${STREET_SUFFIX}\b\.?(?:,?[ \t]+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|#)[ \t]*[\w-]+)?`,
      'gu',
    ),
    confidence: 0.9,
    source: 'street-suffix',
  },
  {
    type: 'ADDRESS',
    regex:
      /(?<=\b(?:[Aa]ddress:?|lives at|living at|resides at|residing at)[ \t]+)\d{1,6}[A-Z]?[ \t]+[^,\n?]{3,60}/gu,
    confidence: 0.85,
    source: 'address-cue',
  },
  {
    type: 'ADDRESS',
    regex: /\p{Lu}[\p{L}'.-]*(?:[ \t]+\p{Lu}[\p{L}'.-]*){0,3}(?=,[ \t]*[A-Z]{2}[ \t]+\d{5})/gu,
    confidence: 0.9,
    source: 'city-before-state',
  },
  {
    type: 'ZIP',
    regex: /(?<=\b[A-Z]{2}[ \t]{1,2})\d{5}(?:-\d{4})?\b/g,
    confidence: 0.9,
    source: 'zip-after-state',
  },
  { type: 'ZIP', regex: /\b\d{5}-\d{4}\b/g, confidence: 0.85, source: 'zip-plus-4' },
  { type: 'DEVICE_ID', regex: /\bSN-[A-Z0-9]{6,}\b/g, confidence: 0.9, source: 'serial-prefix' },
  {
    type: 'DEVICE_ID',
    regex: /\b[A-HJ-NPR-Z0-9]{17}\b/g,
    confidence: 0.7,
    source: 'vin',
    accept: (v) => /\d/.test(v) && /[A-Z]/.test(v),
  },
];

function cuedRule(p: CuedPattern): Rule {
  return {
    type: p.type,
    // The lookahead makes a word without digits ("number") fail here, so a longer cue can match.
    regex: new RegExp(
      String.raw`(?:\b(?:${p.cue}))\s*(?:[:#]|is|was)?\s*((?=[\w-]*\d)${p.value})(?![\w-])`,
      'gi',
    ),
    group: 1,
    confidence: p.confidence ?? 0.95,
    source: `cue:${p.type.toLowerCase()}`,
    accept: (v) => /\d/.test(v),
  };
}

export function structuredRules(cued: readonly CuedPattern[] = DEFAULT_CUED_PATTERNS): readonly Rule[] {
  return [...RULES, ...cued.map(cuedRule)];
}

export function findStructured(text: string, rules: readonly Rule[]): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const rule of rules) {
    rule.regex.lastIndex = 0;
    for (const m of text.matchAll(rule.regex)) {
      const value = m[rule.group ?? 0];
      if (value === undefined || m.index === undefined) continue;
      const start = m.index + (rule.group ? m[0].indexOf(value) : 0);
      if (rule.accept && !rule.accept(value, text, start)) continue;
      const type = rule.retype ? rule.retype(text, start) : rule.type;
      out.push({
        type,
        start,
        end: start + value.length,
        text: value,
        confidence: rule.confidence,
        source: rule.source,
      });
    }
  }
  return out;
}
