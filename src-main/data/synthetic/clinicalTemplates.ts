/**
 * Clinical text formats with planted identifiers: progress notes, discharge summaries,
 * referral letters and question/answer pairs. Names appear both after cues (Mr., Dr.,
 * "Patient:") and without any (a sentence starting with the name), so recall is tested on
 * both. Filler sentences carry capitalised clinical words and small ages/numbers that are NOT
 * identifiers, so precision is tested too.
 */
import type { Faker } from '@faker-js/faker';
import { RecordBuilder } from './recordBuilder.js';
import type { SyntheticPatient, SyntheticPerson } from './syntheticPatient.js';
import { MONTH_NAMES } from '../monthNames.js';

const MONTHS: readonly string[] = MONTH_NAMES;
const pad = (n: number) => String(n).padStart(2, '0');

export function formatDate(faker: Faker, date: Date): string {
  const d = date.getUTCDate();
  const m = date.getUTCMonth();
  const y = date.getUTCFullYear();
  return faker.helpers.arrayElement([
    `${pad(m + 1)}/${pad(d)}/${y}`,
    `${m + 1}/${d}/${String(y).slice(2)}`,
    `${y}-${pad(m + 1)}-${pad(d)}`,
    `${MONTHS[m]} ${d}, ${y}`,
    `${d} ${MONTHS[m]!.slice(0, 3)} ${y}`,
    `${pad(d)}.${pad(m + 1)}.${y}`,
  ]);
}

const PROBLEMS = [
  ['community-acquired pneumonia', 'Ceftriaxone and Azithromycin'],
  ['acute exacerbation of COPD', 'Prednisone 40 mg and nebulised Albuterol'],
  ['new-onset atrial fibrillation', 'Apixaban 5 mg twice daily and Metoprolol'],
  ['type 2 diabetes mellitus with poor control', 'Metformin 1000 mg twice daily'],
  ['congestive heart failure (NYHA class III)', 'Furosemide 40 mg daily'],
  ['cellulitis of the left lower leg', 'Cefalexin 500 mg four times daily'],
  ['urinary tract infection', 'Nitrofurantoin 100 mg twice daily'],
  ['major depressive disorder', 'Sertraline 50 mg daily'],
] as const;

const FILLER = [
  'Vital signs: BP 132/78, HR 84, RR 16, SpO2 96% on room air, temperature 37.2 C.',
  'Labs: Hb 11.2 g/dL, WBC 12.4, CRP 48 mg/L, creatinine 1.1 mg/dL.',
  'Chest X-ray showed no acute process. ECG: sinus rhythm, QTc 430 ms.',
  'Seen in the Emergency Department and admitted to General Medicine.',
  'Plan discussed at the Multidisciplinary Team meeting on Tuesday.',
  'Physical Therapy and Occupational Therapy to assess mobility.',
  'No known drug allergies. Non-smoker, drinks 2 units of alcohol per week.',
  'CT Abdomen and Pelvis with contrast: no free fluid, no collection.',
  'Follow up in Cardiology Clinic in 6 weeks with repeat echo.',
  'Her 2 children and 1 grandchild visit weekly; Grade 2 pressure ulcer healing.',
  // Eponyms and capitalised scales: classic false positives for name recognisers.
  'Background of Parkinson disease and Hashimoto thyroiditis; Glasgow Coma Scale 15.',
  'Foley catheter removed; Braden Score 14, Waterlow 12. Known Barrett oesophagus.',
  'History of Hodgkin lymphoma treated at Addenbrooke Hospital; Crohn disease in remission.',
  'Referred by Whipple Ward staff; Apgar scores were normal at birth per Marcus Gunn testing.',
];

interface Ctx {
  b: RecordBuilder;
  f: Faker;
  p: SyntheticPatient;
  visit: Date;
}

function fullName(b: RecordBuilder, person: SyntheticPerson): void {
  b.pii('NAME', `${person.first} ${person.last}`);
}

function title(p: SyntheticPatient): string {
  return p.sex === 'male' ? 'Mr.' : 'Ms.';
}

function ageText({ b, p, f }: Ctx): void {
  const value = String(p.age);
  if (p.age > 89) b.pii('AGE', value);
  else b.add(value);
  b.add(f.helpers.arrayElement(['-year-old', ' y/o', ' yo', ' year old']));
}

function filler(f: Faker, n: number): string {
  return f.helpers.arrayElements(FILLER, n).join(' ');
}

function progressNote(c: Ctx): void {
  const { b, f, p } = c;
  const [problem, drug] = f.helpers.arrayElement(PROBLEMS);
  b.add('PROGRESS NOTE\nDate of service: ').pii('DATE', formatDate(f, c.visit)).add('\nPatient: ');
  fullName(b, p.person);
  b.add('   MRN: ').pii('MRN', p.mrn).add('   DOB: ').pii('DATE', formatDate(f, p.birthDate)).add('\n\n');
  b.add(`S: ${title(p)} `)
    .pii('NAME', p.person.last)
    .add(' is a ');
  ageText(c);
  b.add(` ${p.sex === 'male' ? 'man' : 'woman'} followed for ${problem}. `);
  if (f.datatype.boolean()) {
    b.add(
      `${p.sex === 'male' ? 'He' : 'She'} came with ${p.sex === 'male' ? 'his' : 'her'} ${p.relative.relation}, `,
    );
    fullName(b, p.relative);
    b.add(', who can be reached on ').pii('PHONE', p.phone).add('. ');
  }
  b.add(`\nO: ${filler(f, 2)}\n`);
  b.add(`A/P: Continue ${drug}. `);
  if (f.datatype.boolean()) b.pii('NAME', p.person.first).add(' understands the plan. ');
  b.add('Home monitoring data received from IP ').pii('IP', p.ip).add('.\n');
  b.add('Signed: Dr. ');
  fullName(b, p.clinician);
  b.add(', Internal Medicine\n');
}

function dischargeSummary(c: Ctx): void {
  const { b, f, p } = c;
  const [problem, drug] = f.helpers.arrayElement(PROBLEMS);
  const discharge = new Date(c.visit.getTime() + f.number.int({ min: 2, max: 12 }) * 86_400_000);
  b.add('DISCHARGE SUMMARY\nName: ');
  b.pii('NAME', `${p.person.last}, ${p.person.first}`);
  b.add('\nMedical Record No.: ').pii('MRN', p.mrn).add('\nAdmitted: ').pii('DATE', formatDate(f, c.visit));
  b.add('   Discharged: ').pii('DATE', formatDate(f, discharge)).add('\n');
  b.add('Address: ')
    .pii('ADDRESS', p.street)
    .add(', ')
    .pii('ADDRESS', p.city)
    .add(`, ${p.state} `)
    .pii('ZIP', p.zip)
    .add('\n');
  b.add('Phone: ').pii('PHONE', p.phone).add('   Email: ').pii('EMAIL', p.email).add('\n');
  b.add('Insurance member ID: ')
    .pii('HEALTH_PLAN', p.healthPlan)
    .add('   Billing account: ')
    .pii('ACCOUNT', p.account)
    .add('\n\n');
  b.add('HOSPITAL COURSE: ');
  fullName(b, p.person);
  b.add(' was admitted with ' + problem + '. ' + filler(f, 2) + ' ');
  if (f.datatype.boolean(0.4)) {
    b.add('Implanted pacemaker serial number ')
      .pii('DEVICE_ID', p.deviceId)
      .add(' interrogated, functioning normally. ');
  }
  b.add(`Discharged on ${drug}.\n`);
  if (f.datatype.boolean(0.3)) b.add('Patient portal: ').pii('URL', p.url).add('\n');
  if (f.datatype.boolean(0.25)) b.add('SSN on file: ').pii('SSN', p.ssn).add('\n');
  b.add('Attending physician: ');
  fullName(b, p.clinician);
  b.add(', MD\n');
}

function referralLetter(c: Ctx): void {
  const { b, f, p } = c;
  const [problem] = f.helpers.arrayElement(PROBLEMS);
  b.pii('DATE', formatDate(f, c.visit)).add('\n\nDear Dr. ').pii('NAME', p.referrer.last).add(',\n\n');
  b.add('Re: ');
  fullName(b, p.person);
  b.add(', DOB ').pii('DATE', formatDate(f, p.birthDate)).add(', MRN ').pii('MRN', p.mrn).add('\n\n');
  b.add('Thank you for seeing this ');
  ageText(c);
  b.add(` ${p.sex === 'male' ? 'gentleman' : 'lady'} with ${problem}. ${filler(f, 2)} `);
  if (f.datatype.boolean(0.3)) {
    b.add(`${p.sex === 'male' ? 'He' : 'She'} no longer drives; car with plate `)
      .pii('LICENSE_PLATE', p.licensePlate)
      .add(' was sold. ');
  }
  b.add('Please send your reply by fax to ')
    .pii('FAX', p.fax)
    .add(' or email ')
    .pii('EMAIL', p.email)
    .add('.\n\n');
  b.add('Yours sincerely,\n\nDr. ');
  fullName(b, p.clinician);
  b.add('\n');
}

function questionAnswer(c: Ctx): {
  prompt: { text: string; spans: RecordBuilder['spans'] };
  response: { text: string; spans: RecordBuilder['spans'] };
} {
  const { f, p } = c;
  const [problem, drug] = f.helpers.arrayElement(PROBLEMS);
  const q = new RecordBuilder();
  const a = new RecordBuilder();
  switch (f.number.int({ min: 0, max: 2 })) {
    case 0:
      q.add('What was ')
        .pii('NAME', `${p.person.first} ${p.person.last}`)
        .add(' (MRN ')
        .pii('MRN', p.mrn)
        .add(`) started on for ${problem}?`);
      a.add(`${drug}, started on `)
        .pii('DATE', formatDate(f, c.visit))
        .add(' by Dr. ')
        .pii('NAME', p.clinician.last)
        .add('.');
      break;
    case 1:
      q.add(`Summarise the admission of ${title(p)} `)
        .pii('NAME', p.person.last)
        .add(' on ')
        .pii('DATE', formatDate(f, c.visit))
        .add('.');
      a.add(`Admitted with ${problem}. ${filler(f, 1)} Contact: `)
        .pii('PHONE', p.phone)
        .add('.');
      break;
    default:
      q.add('Which clinic follows the patient living at ')
        .pii('ADDRESS', p.street)
        .add(', ')
        .pii('ZIP', p.zip)
        .add('?');
      a.add('The Cardiology Clinic; the patient, ')
        .pii('NAME', `${p.person.first} ${p.person.last}`)
        .add(', is seen every 6 weeks.');
  }
  return { prompt: q.build(), response: a.build() };
}

/**
 * Free-text nursing and telephone notes: names mid-sentence with weak or no cues, first names
 * alone, lower-case headers, times and ward names; the hardest format for the recognisers.
 */
function nursingNote(c: Ctx): void {
  const { b, f, p } = c;
  const time = `${pad(f.number.int({ min: 0, max: 23 }))}:${pad(f.number.int({ min: 0, max: 59 }))}`;
  b.add(`nursing note ${time} - `).pii('DATE', formatDate(f, c.visit)).add('\n');
  b.add(f.helpers.arrayElement(['Received handover from ', 'Handover given to ', 'Care taken over from ']));
  const nurse = p.referrer;
  b.pii('NAME', f.datatype.boolean() ? nurse.first : `${nurse.first} ${nurse.last}`).add(
    ' at shift change. ',
  );
  b.pii('NAME', p.person.first).add(` settled overnight, ${filler(f, 1).toLowerCase()} `);
  if (f.datatype.boolean()) {
    b.add('Visited by ').pii('NAME', `${p.relative.first} ${p.relative.last}`);
    b.add(` (${p.relative.relation}), who asked about discharge. `);
  } else {
    b.add(`Spoke with ${p.relative.relation} `).pii('NAME', p.relative.first).add(' on the phone at ');
    b.pii('PHONE', p.phone).add('. ');
  }
  b.add('Escalated to the on-call registrar, ').pii('NAME', `${p.clinician.first} ${p.clinician.last}`);
  b.add(', who reviewed at bedside.\n');
}

function telephoneEncounter(c: Ctx): void {
  const { b, f, p } = c;
  b.add('Telephone encounter, ').pii('DATE', formatDate(f, c.visit)).add('\nCaller: ');
  b.pii('NAME', `${p.relative.first} ${p.relative.last}`).add(`, ${p.relative.relation} of `);
  b.pii('NAME', `${p.person.first} ${p.person.last}`).add(' (MRN ').pii('MRN', p.mrn).add(').\n');
  b.add(`Reports that ${p.sex === 'male' ? 'he' : 'she'} has been more breathless since the weekend. `);
  b.add('Advised to attend clinic; appointment booked with ');
  b.pii('NAME', `${p.clinician.first} ${p.clinician.last}`).add('. ');
  b.add('Call back number ').pii('PHONE', p.phone).add('.\n');
}

export type NoteKind =
  'progress-note' | 'discharge-summary' | 'referral-letter' | 'nursing-note' | 'telephone-encounter';

export function writeNote(
  kind: NoteKind,
  f: Faker,
  p: SyntheticPatient,
  visit: Date,
): ReturnType<RecordBuilder['build']> {
  const b = new RecordBuilder();
  const c = { b, f, p, visit };
  if (kind === 'progress-note') progressNote(c);
  else if (kind === 'discharge-summary') dischargeSummary(c);
  else if (kind === 'referral-letter') referralLetter(c);
  else if (kind === 'nursing-note') nursingNote(c);
  else telephoneEncounter(c);
  return b.build();
}

export function writeQuestionAnswer(
  f: Faker,
  p: SyntheticPatient,
  visit: Date,
): ReturnType<typeof questionAnswer> {
  return questionAnswer({ b: new RecordBuilder(), f, p, visit });
}
