/**
 * Geographic units smaller than a state and named facilities (HIPAA Safe Harbor
 * §164.514(b)(2)(i)(B): "all geographic subdivisions smaller than a State, including street
 * address, city, county, precinct, ZIP code"; facility names are quasi-identifiers, labelled as
 * locations in the i2b2 2014 de-identification guidelines, Stubbs & Uzuner 2015). All are
 * reported as ADDRESS:
 * - a city before a US state or Canadian province code ("Springfield, IL", "Toronto ON M5T 1L4");
 * - a capitalised place after a location cue ("lives in Cedar Rapids", "from Duluth");
 * - a facility: capitalised words before a facility word ("Mercy Regional", "St. Aldhelm's
 *   Hospital", "Washtenaw County") or after one ("Clinique Médicale du Plateau");
 * - a city after a street address, or on the line of an address block before a postcode
 *   (scanner, see piiScanner.ts).
 * UK and Canadian postcodes are ZIP.
 */
import { GIVEN_NAMES } from './nameLexicon.js';
import type { PiiMatch } from './piiTypes.js';
import { isClinicalWord } from './safeWords.js';

const WORD = String.raw`\p{Lu}[\p{Ll}\p{M}'’]*\p{Ll}[\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*`;
const PLACE = String.raw`(?:(?:St\.?|Saint|Ste\.?|Fort|Ft\.?|Mount|Mt\.?|Port|Lake|New|North|South|East|West|Upper|Lower|Old)[ \t]+)?${WORD}(?:[ \t]+${WORD}){0,2}`;
export const US_STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
const PROVINCES = 'AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT';
/** State codes that are also credentials or words ("Smith, MD"): a city before them needs a ZIP. */
const AMBIGUOUS_STATES = new Set([
  'MD',
  'PA',
  'DO',
  'ME',
  'OR',
  'IN',
  'OK',
  'HI',
  'DE',
  'CO',
  'MA',
  'NE',
  'OH',
  'MS',
  'ID',
  'PT',
  'NP',
]);
const ZIP_OR_POSTCODE = String.raw`(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)`;

const CITY_STATE_RE = new RegExp(
  String.raw`(${PLACE})(,?)[ \t]+(${US_STATES}|${PROVINCES})\b(?![.'’-]\p{L})([ \t]+${ZIP_OR_POSTCODE}\b)?`,
  'gu',
);
const LOCATION_CUE_RE = new RegExp(
  String.raw`(?<![\p{L}])(?:lives|living|lived|resides|residing|moved|moving|relocated|home|born|based|raised|staying|works?|farm|ranch)?[ \t]*(?:in|near|outside(?:[ \t]+of)?|from|around|to)[ \t]+(${PLACE})`,
  'gu',
);
const FACILITY_HEAD = String.raw`(?:Hospital|Hospitals|Infirmary|Clinic|Surgery|Centre|Center|Medical Center|Medical Centre|Health Centre|Health Center|Practice|Care Home|Nursing Home|Nursing Facility|Home Care|Home Health|Manor|Senior Living|Living|Hospice|Healthcare|Health Care|Health System|Regional|General|Memorial|Internal Medicine|Family Medicine|Medical Group|County|Parish|Borough|Township|District|Institute|Associates|Lodge|Residence|Rehabilitation|Rehab|Pharmacy|School|University|College|Academy)`;
const FACILITY_RE = new RegExp(
  String.raw`(?<![\p{L}])((?:(?:St\.?|Saint)[ \t]+)?${WORD}(?:[ \t]+(?:of[ \t]+)?${WORD}){0,4})[ \t]+${FACILITY_HEAD}\b`,
  'gu',
);
// "on Alameda Blvd", "off Mill Road": a street named without a house number.
const STREET_RE = new RegExp(
  String.raw`(?<=\b(?:on|at|off|near|along|down)[ \t]+)${WORD}(?:[ \t]+${WORD}){0,2}[ \t]+(?:Street|St\.|Avenue|Ave\.?|Boulevard|Blvd\.?|Road|Rd\.?|Lane|Ln\.?|Drive|Highway|Hwy\.?|Parkway|Pkwy\.?|Terrace|Crescent)(?![\p{L}])`,
  'gu',
);
// "Eastside", "Northend", "Midtown": neighbourhoods named from a compass point.
const NEIGHBOURHOOD_RE = /\b(?:North|South|East|West|Mid|Up|Down)(?:side|town|end|gate|field|haven)\b/g;
const SPECIALTIES =
  'Cardiology|Endocrinology|Neurology|Oncology|Radiology|Pathology|Pediatrics|Paediatrics|Psychiatry|Orthopedics|Orthopaedics|Dermatology|Urology|Nephrology|Gastroenterology|Pulmonology|Rheumatology|Hematology|Haematology|Geriatrics|Obstetrics|Gynecology|Surgery|Medicine|Internal Medicine|Family Medicine|Emergency Medicine';
// "Dr. Arjun Sidhu, Endocrinology, Sunnybrook": the institution after a department.
const AFTER_SPECIALTY_RE = new RegExp(
  String.raw`(?<=\b(?:${SPECIALTIES}),[ \t]*)${WORD}(?:[ \t]+${WORD}){0,2}`,
  'gu',
);
const FACILITY_FIRST_RE = new RegExp(
  String.raw`(?<![\p{L}])(?:Clinique|Hôpital|Hopital|Centre|Center|Hospital|Clinic|Institut|Klinik|Klinikum|Ospedale|Hospital)(?:[ \t]+(?:Médicale|Medicale|Universitaire|General|Regional))?[ \t]+(?:of|du|de|de la|des|d'|di|del|der|für)[ \t]*${WORD}(?:[ \t]+${WORD}){0,2}`,
  'gu',
);

const WEAK_CUE_CONTEXT =
  /\b(?:moved|moving|relocated|transferred|drive|drove|going|go|trip|travel+ed|flew|is|are|was|originally|visiting|immigrated|emigrated|came|arrived|returned|patient|pt|man|woman|male|female|lady|gentleman|boy|girl|y\/o|yo|old|family|home|commutes?)[ \t]+(?:here[ \t]+)?(?:to|from)[ \t]+$/i;
const wordsOf = (s: string) => s.match(/[\p{L}\p{M}'’.-]+/gu) ?? [];
/** At least one word that is not generic clinical vocabulary ("Primary Care Clinic" is not a place). */
const hasProperWord = (s: string) =>
  wordsOf(s).some(
    (w) =>
      /^\p{Lu}/u.test(w) && !isClinicalWord(w.replace(/\.$/, '')) && !/^(?:St|Saint|Of|The)\.?$/i.test(w),
  );

function push(out: PiiMatch[], text: string, start: number, confidence: number, source: string): void {
  const trimmed = text.replace(/[ \t.,]+$/, '');
  out.push({ type: 'ADDRESS', start, end: start + trimmed.length, text: trimmed, confidence, source });
}

export function findLocations(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of text.matchAll(CITY_STATE_RE)) {
    const [, place, comma, state, zip] = m;
    if (!place || !state || (!comma && !zip) || (AMBIGUOUS_STATES.has(state) && !zip)) continue;
    if (!hasProperWord(place)) continue;
    push(out, place, m.index, 0.9, 'city-before-state');
  }
  for (const m of text.matchAll(LOCATION_CUE_RE)) {
    const place = m[1]!;
    const words = wordsOf(place);
    if (!hasProperWord(place) || words.some((w) => GIVEN_NAMES.has(w.toLowerCase()))) continue;
    // "to" and "from" are weak ("spoke to Maria", "handover from Zackary"): only after a verb of
    // moving or a word for the patient.
    const cue = m[0].slice(0, m[0].length - place.length);
    const before = text.slice(Math.max(0, m.index - 25), m.index + cue.length);
    if (/\b(?:to|from)[ \t]+$/.test(cue) && !WEAK_CUE_CONTEXT.test(before)) continue;
    push(out, place, m.index + m[0].length - place.length, 0.7, 'location-cue');
  }
  for (const m of text.matchAll(FACILITY_RE)) {
    const head = m[0].slice(m[1]!.length);
    if (!hasProperWord(m[1]!)) continue;
    // Drop leading words that are sentence furniture ("At Mercy Regional", "The Lakeview Manor").
    const lead = /^(?:(?:At|The|In|From|To|Via|Per|Seen|Patient|Pt)[ \t]+)+/.exec(m[0]);
    const skip = lead ? lead[0].length : 0;
    if (head) push(out, m[0].slice(skip), m.index + skip, 0.92, 'facility');
  }
  for (const m of text.matchAll(FACILITY_FIRST_RE)) push(out, m[0], m.index, 0.92, 'facility');
  for (const m of text.matchAll(STREET_RE)) push(out, m[0], m.index, 0.85, 'street-name');
  for (const m of text.matchAll(NEIGHBOURHOOD_RE)) push(out, m[0], m.index, 0.7, 'neighbourhood');
  for (const m of text.matchAll(AFTER_SPECIALTY_RE)) {
    if (hasProperWord(m[0])) push(out, m[0], m.index, 0.75, 'after-specialty');
  }
  return out;
}

/** UK (e.g. "LS7 3QT", "SW1A 1AA") and Canadian ("B3H 2Y9") postcodes. */
export const POSTCODE_RULES = [
  { regex: /\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b/g, source: 'postcode-ca' },
  { regex: /\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPSTUW\d]?) \d[ABD-HJLNP-UW-Z]{2}\b/g, source: 'postcode-uk' },
] as const;
