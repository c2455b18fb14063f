// `npm run rotate-ticket-key`: rotates the local ticket signing keys (restart `npm start` to use them).
import { rotateLocalTicketKeys } from "../ticket-keys";

const keys = await rotateLocalTicketKeys();
console.log(`ticket keys rotated: current ${keys.current.kid}, previous ${keys.previous?.kid ?? "none"}`);
