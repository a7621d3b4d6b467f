// The incident types of issue 4, in the order a delegate meets them, with their catalog keys.
export const INCIDENT_TYPES = [
  { value: "visa", i18n: "type.visa" },
  { value: "screening", i18n: "type.screening" },
  { value: "device-search", i18n: "type.device-search" },
  { value: "surveillance", i18n: "type.surveillance" },
  { value: "harassment", i18n: "type.harassment" },
  { value: "detention", i18n: "type.detention" },
  { value: "refused-entry", i18n: "type.refused-entry" },
  { value: "reprisal", i18n: "type.reprisal" },
  { value: "other", i18n: "type.other" },
];

export function typeKey(value) {
  const found = INCIDENT_TYPES.find((type) => type.value === value);
  return found ? found.i18n : "type.other";
}

// A moment for people, in the interface language ("" for anything unparseable): i18n.js.
export { formatDate } from "../i18n.js";
