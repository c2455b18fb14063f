// `npm run --silent token -- --sub <id> --role <member|organizer|admin>`: prints a local JWT.
import { parseArgs } from "node:util";
import { signLocalToken, type LocalRole } from "../tokens";

const { values } = parseArgs({
  options: {
    sub: { type: "string" },
    role: { type: "string", default: "member" },
    email: { type: "string" },
    "expires-in": { type: "string", default: "12h" },
  },
});
const roles = ["member", "organizer", "admin"];
if (!values.sub || !roles.includes(values.role ?? "")) {
  console.error("usage: npm run --silent token -- --sub <id> --role <member|organizer|admin> [--email <e>] [--expires-in 12h]");
  process.exit(2);
}
console.log(
  await signLocalToken({ sub: values.sub, role: values.role as LocalRole, email: values.email, expiresIn: values["expires-in"] }),
);
