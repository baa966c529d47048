// Names for the gateway's shapes. Every type here comes from schema.d.ts, which is generated from
// the gateway's OpenAPI document (make frontend-api-types) — never copied by hand.
import type { components } from "./schema";

type Schemas = components["schemas"];
export type Store = Schemas["StoreOut"];
export type StorePage = Schemas["StorePage"];
export type StoreStep = Schemas["StepOut"];
export type StoreCondition = Schemas["ConditionOut"];
export type StoreCreate = Schemas["StoreCreateRequest"];
export type StoreCredentials = Schemas["StoreCredentials"];
export type StoreEvents = Schemas["StoreEvents"];
export type User = Schemas["UserOut"];
export type TokenResponse = Schemas["TokenResponse"];
export type TenantPage = Schemas["TenantPage"];
export type Tenant = Schemas["TenantOut"];
export type AuditPage = Schemas["AuditPage"];
export type AuditEntry = Schemas["AuditEntry"];
export type Overview = Schemas["Overview"];
export type Phase = Store["phase"];
export type Engine = Store["engine"];

export const PHASES: readonly Phase[] = ["Requested", "Provisioning", "Ready", "Failed", "Deleting"];
export const ENGINES: readonly Engine[] = ["woocommerce", "medusa"];
