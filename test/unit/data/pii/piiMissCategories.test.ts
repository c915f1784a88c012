// SPDX-License-Identifier: Apache-2.0
// One case per category of misses and false positives listed in issue 20; each failed before it.
// The sentences are new (not from the evaluation set in test/fixtures/deid).
import { describe, expect, it } from 'vitest';
import { PiiScanner, type PiiType } from '../../../../src-main/data/index';

const scanner = new PiiScanner();
const found = (text: string) => scanner.scan(text).map((m) => `${m.type}:${m.text}`);
const has = (text: string, type: PiiType, value: string) => expect(found(text)).toContain(`${type}:${value}`);

describe('issue 20: identifiers the recognisers missed', () => {
  it('reads cues in any casing and relatives at the start of a sentence', () => {
    has('PATIENT: ZAWADZKI, HALINA\nATTENDING: Oyebanji Adeleke', 'NAME', 'ZAWADZKI, HALINA');
    has('PATIENT: ZAWADZKI, HALINA\nATTENDING: Oyebanji Adeleke', 'NAME', 'Oyebanji Adeleke');
    has('PT: Rasmussen, Torvald seen in clinic.', 'NAME', 'Rasmussen, Torvald');
    has('Husband Anselm at bedside. Son Kwabena updated by phone.', 'NAME', 'Anselm');
    has('Husband Anselm at bedside. Son Kwabena updated by phone.', 'NAME', 'Kwabena');
  });

  it('finds names in signatures, lower case, and with diacritics, hyphens and particles', () => {
    has('Wound care done.\nFenella Quarrie-Stott, RN', 'NAME', 'Fenella Quarrie-Stott');
    has('Reviewed with attending.\nT. Oyelowo, NP', 'NAME', 'T. Oyelowo');
    has('hi dr ferreira this is marguerite okonjo about my refill', 'NAME', 'ferreira');
    has('hi dr ferreira this is marguerite okonjo about my refill', 'NAME', 'marguerite okonjo');
    has('Seen with her carer, Zoë Ødegård, today.', 'NAME', 'Zoë Ødegård');
    has('Referred by Mr. van der Westhuizen for review.', 'NAME', 'van der Westhuizen');
    has('Okonjo tolerated the procedure well.', 'NAME', 'Okonjo');
  });

  it('finds dates without a year, EHR styles, month/year and two-digit years with dashes', () => {
    for (const date of ['11/23', 'Jun 9', 'October 3rd', '17-NOV-2020', '05/2017', '4-22-19']) {
      has(`Follow-up visit on ${date}.`, 'DATE', date);
    }
    has('Symptoms began on the 9th.', 'DATE', 'the 9th');
  });

  it('finds ID cue variants, payer member IDs and device serials', () => {
    has('Acct#: 5561002934', 'ACCOUNT', '5561002934');
    has('MR#: 00918273', 'MRN', '00918273');
    has('Pt #: 4400917', 'MRN', '4400917');
    has('FIN: 90011872254', 'ACCOUNT', '90011872254');
    has('Medicare MBI 5TQ2-AB3-XY19 on file', 'HEALTH_PLAN', '5TQ2-AB3-XY19');
    has('Aetna member ID W2290018871', 'HEALTH_PLAN', 'W2290018871');
    has('Insurance: Cigna U88120349 01', 'HEALTH_PLAN', 'U88120349');
    expect(found('Covered by Humana since 2019.')).toEqual([]);
    has('ICD, serial QXT559201B, interrogated', 'DEVICE_ID', 'QXT559201B');
  });

  it('finds ages over 89 in short forms and words', () => {
    has('CC: 92M with syncope', 'AGE', '92');
    has('Mrs. Ilse Brandauer, 95, was seen today.', 'AGE', '95');
    has('A ninety-four year old man', 'AGE', 'ninety-four');
    has('Age 89, not an identifier; a 90 yo is.', 'AGE', '90');
    expect(found('A 45M with chest pain, age 89.')).not.toContain('AGE:45');
  });

  it('finds formats from outside the US, spaced SSNs and compressed IPv6', () => {
    has('Call her on 0161 496 0832 after 5.', 'PHONE', '0161 496 0832');
    has('Postcode: EH3 9DR', 'ZIP', 'EH3 9DR');
    has('Lives at 12 Bloor St W, Toronto, ON M5S 1W8.', 'ZIP', 'M5S 1W8');
    has('SSN 219 45 1188 on the form', 'SSN', '219 45 1188');
    has('Login from fe80::a1c2:77ff:fe10:3b', 'IP', 'fe80::a1c2:77ff:fe10:3b');
  });

  it('finds cities and facility names (Safe Harbor geography smaller than a state)', () => {
    has('Lives at 88 Orchard Ln, Shelbyville, with her son.', 'ADDRESS', 'Shelbyville');
    has('She moved to Poughkeepsie last year.', 'ADDRESS', 'Poughkeepsie');
    has('Transferred from Holy Redeemer Hospital.', 'ADDRESS', 'Holy Redeemer Hospital');
    has('Originally from Saskatoon, SK.', 'ADDRESS', 'Saskatoon');
  });
});

describe('issue 20: false positives', () => {
  it('does not take a lab value after two capitals for a ZIP code', () => {
    expect(found('CK 12450 U/L on admission; LD 30015 noted.')).toEqual([]);
  });

  it('does not take eponyms or car models for names', () => {
    const text =
      'Known Hashimoto thyroiditis and Raynaud phenomenon; Chiari malformation on MRI. ' +
      'He drives a Toyota Corolla and works at a Subaru garage.';
    expect(found(text).filter((f) => f.startsWith('NAME'))).toEqual([]);
  });

  it('does not take drug brands, vaccines or clinical jargon for names', () => {
    const text =
      'Continue Sertraline and Wellbutrin; start Quviviq 25 mg at night. Vaccines: Shingrix, Prevnar. ' +
      'Hospitalist aware. Mild Foraminal narrowing.';
    expect(found(text)).toEqual([]);
  });

  it('does not take pain scores, strengths or fractions for dates', () => {
    expect(
      found('Pain 7/10, strength 5/5 throughout, took 1/2 tab.').filter((f) => f.startsWith('DATE')),
    ).toEqual([]);
  });
});
