/**
 * One synthetic patient and the people around them, drawn from @faker-js/faker. Names come
 * from a mix of locales (English, German, French, Spanish, Italian…), so a recogniser cannot
 * pass by knowing one country's name list; structured identifiers use US formats (HIPAA).
 */
import type { Faker } from '@faker-js/faker';

export interface SyntheticPerson {
  first: string;
  last: string;
}

export interface SyntheticPatient {
  subjectId: string;
  person: SyntheticPerson;
  sex: 'male' | 'female';
  age: number;
  birthDate: Date;
  mrn: string;
  ssn: string;
  phone: string;
  fax: string;
  email: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  account: string;
  healthPlan: string;
  deviceId: string;
  licensePlate: string;
  ip: string;
  url: string;
  relative: SyntheticPerson & { relation: string };
  clinician: SyntheticPerson;
  referrer: SyntheticPerson;
}

const digits = (faker: Faker, n: number) => faker.string.numeric({ length: n, allowLeadingZeros: true });

export function personFrom(nameFaker: Faker): SyntheticPerson {
  return { first: nameFaker.person.firstName(), last: nameFaker.person.lastName() };
}

export function makePatient(subjectId: string, faker: Faker, nameFakers: readonly Faker[]): SyntheticPatient {
  const names = () => faker.helpers.arrayElement(nameFakers);
  const sex = faker.helpers.arrayElement(['male', 'female'] as const);
  const age = faker.helpers.weightedArrayElement([
    { weight: 8, value: faker.number.int({ min: 18, max: 89 }) },
    { weight: 2, value: faker.number.int({ min: 90, max: 104 }) },
  ]);
  const birthDate = faker.date.between({
    from: Date.UTC(2024 - age, 0, 1),
    to: Date.UTC(2024 - age, 11, 28),
  });
  const phoneStyle = () =>
    faker.helpers.arrayElement([
      `(${digits(faker, 3)}) ${digits(faker, 3)}-${digits(faker, 4)}`,
      `${digits(faker, 3)}-${digits(faker, 3)}-${digits(faker, 4)}`,
      `${digits(faker, 3)}.${digits(faker, 3)}.${digits(faker, 4)}`,
      `+1 ${digits(faker, 3)} ${digits(faker, 3)} ${digits(faker, 4)}`,
    ]);
  const nameFaker = names();
  const person = { first: nameFaker.person.firstName(sex), last: nameFaker.person.lastName() };
  return {
    subjectId,
    person: { first: person.first, last: person.last },
    sex,
    age,
    birthDate,
    mrn: faker.helpers.arrayElement([
      digits(faker, 8),
      digits(faker, 7),
      `${faker.string.alpha({ length: 1, casing: 'upper' })}${digits(faker, 7)}`,
    ]),
    ssn: `${faker.number.int({ min: 100, max: 665 })}-${digits(faker, 2)}-${digits(faker, 4)}`,
    phone: phoneStyle(),
    fax: phoneStyle(),
    email: faker.internet
      .email({
        firstName: person.first.normalize('NFD').replace(/\p{M}/gu, ''),
        lastName: person.last.normalize('NFD').replace(/\p{M}/gu, ''),
      })
      .toLowerCase(),
    street: faker.location.streetAddress(faker.datatype.boolean(0.3)),
    city: faker.location.city(),
    state: faker.location.state({ abbreviated: true }),
    zip: faker.helpers.arrayElement([digits(faker, 5), `${digits(faker, 5)}-${digits(faker, 4)}`]),
    account: faker.helpers.arrayElement([`${digits(faker, 4)}-${digits(faker, 6)}`, `AC${digits(faker, 8)}`]),
    healthPlan: faker.helpers.arrayElement([
      `${faker.string.alpha({ length: 3, casing: 'upper' })}${digits(faker, 9)}`,
      `HP-${digits(faker, 10)}`,
    ]),
    deviceId: faker.helpers.arrayElement([
      `SN-${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`,
      faker.vehicle.vin(),
    ]),
    licensePlate: faker.helpers.arrayElement([
      `${faker.string.alpha({ length: 3, casing: 'upper' })}-${digits(faker, 4)}`,
      `${digits(faker, 1)}${faker.string.alpha({ length: 3, casing: 'upper' })}${digits(faker, 3)}`,
    ]),
    ip: faker.internet.ipv4(),
    url: `https://${faker.internet.domainWord()}.${faker.helpers.arrayElement(['org', 'com', 'net'])}/patients/${digits(faker, 6)}`,
    relative: {
      first: names().person.firstName(),
      last: person.last,
      relation: faker.helpers.arrayElement([
        'daughter',
        'son',
        'wife',
        'husband',
        'sister',
        'brother',
        'niece',
      ]),
    },
    clinician: personFrom(names()),
    referrer: personFrom(names()),
  };
}
