export {
  educationPlugin,
  type EducationPluginOptions,
  type EducationSource,
} from './education.plugin.js';
export { UPN_SYSTEM } from './identifier-systems.js';
export { checkUpn, upnCheckLetter, type UpnCheck } from './upn.validation.js';
export { CTF_FIELDS, type CtfField, type CtfPupil } from './ctf.reader.js';
export {
  OPTIONAL_COLUMNS,
  REQUIRED_COLUMNS,
  type LogColumn,
  type LogRow,
} from './safeguarding-log.reader.js';
