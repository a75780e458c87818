// What must never be found in a run's history or in the worker's logs: certificate and key bodies (PEM, and
// PEM in base64 as a Secret's data holds it), MySQL password hashes and password fields with a value.
export const secretPatterns: [string, RegExp][] = [
  ['a PEM block', /-----BEGIN [A-Z ]+-----/],
  ['a PEM block in base64', /LS0tLS1CRUdJTi/],
  ['a MySQL password hash', /\*[0-9A-F]{40}\b/],
  ['a password with a value', /"(password|authentication_string)"\s*:\s*"[^"]+"/i],
];
