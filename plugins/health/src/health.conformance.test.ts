import { describeConformance } from '@hub/plugin-sdk/testing';
import { healthPlugin } from './health.plugin.js';
import { JSON_TYPE, XML_TYPE, fixture } from './health.test-helpers.js';

const json = (name: string) => ({ name, contentType: JSON_TYPE, body: fixture(name) });
const xml = (name: string) => ({ name, contentType: XML_TYPE, body: fixture(name) });

describeConformance(healthPlugin(), {
  good: [
    { ...json('bundle-collection.json'), expect: { mapped: 4, skipped: 5 } },
    { ...xml('bundle-collection.xml'), expect: { mapped: 4, skipped: 5 } },
    { ...json('bundle-transaction.json'), expect: { mapped: 3, skipped: 4 } },
    { ...xml('bundle-transaction.xml'), expect: { mapped: 3, skipped: 4 } },
    { ...json('bundle-batch.json'), expect: { mapped: 2, skipped: 2 } },
    { ...json('bundle-searchset.json'), expect: { mapped: 1, skipped: 2 } },
    { ...json('bundle-message.json'), expect: { mapped: 2, skipped: 2 } },
    // The published UK Core examples: a valid Patient is a child; the rest are not used.
    { ...xml('uk-core/UKCore-Patient-RichardSmith-Example.xml'), expect: { mapped: 1 } },
    { ...json('uk-core/UKCore-Patient-RichardSmith-Example.json'), expect: { mapped: 1 } },
    { ...xml('uk-core/UKCore-Flag-FoodAllergy-Example.xml'), expect: { mapped: 0, skipped: 1 } },
    { ...xml('uk-core/UKCore-Task-Colonoscopy-Example.xml'), expect: { mapped: 0, skipped: 1 } },
    {
      ...xml('uk-core/UKCore-Observation-VitalSigns-HeartRate-Example.xml'),
      expect: { skipped: 1 },
    },
    { ...xml('uk-core/UKCore-Practitioner-DoctorPaulRastall-Example.xml'), expect: { skipped: 1 } },
    {
      ...xml('uk-core/UKCore-Organization-LeedsTeachingHospital-Example.xml'),
      expect: { skipped: 1 },
    },
    { ...xml('uk-core/UKCore-MessageHeader-Discharge-Example.xml'), expect: { skipped: 1 } },
  ],
  bad: [
    // UK Core's own BabyPatient example carries 9912003890, whose check digit should be 6.
    {
      ...xml('uk-core/UKCore-Patient-BabyPatient-Example.xml'),
      rejects: [{ field: 'identifier[0].value', message: /^NHS number fails its check digit$/ }],
    },
    {
      ...json('uk-core/UKCore-Patient-BabyPatient-Example.json'),
      rejects: [{ field: 'identifier[0].value', message: /^NHS number fails its check digit$/ }],
    },
    {
      ...json('patient-bad-check-digit.json'),
      rejects: [{ field: 'identifier[0].value', message: /^NHS number fails its check digit$/ }],
    },
    { ...json('patient-without-name.json'), rejects: [{ field: 'name', message: /no name/ }] },
    {
      ...json('flag-subject-not-in-body.json'),
      rejects: [{ field: 'subject', message: /not a Patient earlier in this body/ }],
    },
    {
      ...json('challenge-without-sender.json'),
      rejects: [{ field: 'sender', message: /names no Practitioner/ }],
    },
    {
      ...json('transaction-delete-patient.json'),
      rejects: [{ field: 'request.method', message: /DELETE Patient\/child-1 is not applied/ }],
    },
    {
      ...json('bundle-history.json'),
      rejects: [{ field: 'type', message: /"history" is not read/ }],
    },
    {
      ...json('bundle-document.json'),
      rejects: [{ field: 'type', message: /"document" is not read/ }],
    },
    { ...xml('xml-bomb.xml'), rejects: [{ field: 'body', message: /^DOCTYPE is not allowed/ }] },
    {
      ...xml('xml-external-entity.xml'),
      rejects: [{ field: 'body', message: /^DOCTYPE is not allowed/ }],
    },
    {
      ...json('malformed.json'),
      rejects: [{ field: 'body', message: /JSON is malformed at byte/ }],
    },
    { ...json('truncated.json'), rejects: [{ field: 'body', message: /ends at byte \d+ before/ }] },
    { ...xml('malformed.xml'), rejects: [{ field: 'body', message: /XML is malformed at line/ }] },
    {
      ...xml('truncated.xml'),
      rejects: [{ field: 'body', message: /ends before the XML is complete/ }],
    },
  ],
});
