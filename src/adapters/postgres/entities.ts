import { defineEntity, p } from '@mikro-orm/postgresql';

/**
 * The PostgreSQL schema as MikroORM entities. Rollup tables (`interaction_hour`, `failure_hour`,
 * `latency_hour`, `latency_day`, `conversation_day`) are maintained by SQL in the same statement as
 * the fact insert and are read by SQL only, so they have no entity. The migrations are the source
 * of truth for DDL (the generated expressions below repeat m001's).
 */
export const InteractionSchema = defineEntity({
  name: 'Interaction',
  tableName: 'interaction',
  properties: {
    eventId: p.string().primary(),
    occurredAt: p.datetime(),
    receivedAt: p.datetime(),
    channel: p.string(),
    accountId: p.string(),
    conversationId: p.string(),
    userKey: p.string(),
    userHash: p.bigint().generated('(hashtextextended(user_key, 0)) stored'),
    messageId: p.string(),
    messageType: p.string(),
    outcome: p.string(),
    replyKind: p.string().nullable(),
    model: p.string().nullable(),
    promptTokens: p.integer(),
    completionTokens: p.integer(),
    costUsd: p.double(),
    latencyMs: p.integer().nullable(),
    failed: p.boolean().generated(`(outcome in ('failed', 'send-unknown') or coalesce(reply_kind = 'fallback', false)) stored`),
    failureReason: p.string().nullable(),
  },
});
export class Interaction extends InteractionSchema.class {}
InteractionSchema.setClass(Interaction);

export const DeliveryStatusSchema = defineEntity({
  name: 'DeliveryStatusRow',
  tableName: 'delivery_status',
  properties: {
    eventId: p.string().primary(),
    occurredAt: p.datetime(),
    channel: p.string(),
    accountId: p.string(),
    conversationId: p.string(),
    userKey: p.string(),
    outboundId: p.string(),
    status: p.string(),
    pricingCategory: p.string().nullable(),
    pricingType: p.string().nullable(),
    pricingModel: p.string().nullable(),
    billable: p.boolean().nullable(),
    errorCode: p.integer().nullable(),
    failureReason: p.string().nullable(),
  },
});
export class DeliveryStatusRow extends DeliveryStatusSchema.class {}
DeliveryStatusSchema.setClass(DeliveryStatusRow);

export const WhatsAppChargeSchema = defineEntity({
  name: 'WhatsAppChargeRow',
  tableName: 'whatsapp_charge',
  properties: {
    channel: p.string().primary(),
    outboundId: p.string().primary(),
    occurredAt: p.datetime(),
    accountId: p.string(),
    conversationId: p.string(),
    userKey: p.string(),
    category: p.string(),
    market: p.string(),
    usd: p.double().nullable(),
  },
});
export class WhatsAppChargeRow extends WhatsAppChargeSchema.class {}
WhatsAppChargeSchema.setClass(WhatsAppChargeRow);

export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  properties: {
    id: p.uuid().primary(),
    name: p.string(),
    /** The first characters of the key, shown in lists and used to find the row. */
    prefix: p.string().unique(),
    /** SHA-256 of the whole key: the key itself is never stored. */
    hash: p.blob(),
    scopes: p.array(),
    createdAt: p.datetime(),
    createdBy: p.string().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);

export const AdminUserSchema = defineEntity({
  name: 'AdminUser',
  tableName: 'admin_user',
  properties: {
    id: p.uuid().primary(),
    email: p.string().unique(),
    /** `scrypt$N$r$p$salt$hash` (base64url parts). */
    passwordHash: p.string(),
    createdAt: p.datetime(),
    lastLoginAt: p.datetime().nullable(),
  },
});
export class AdminUser extends AdminUserSchema.class {}
AdminUserSchema.setClass(AdminUser);

export const AdminSessionSchema = defineEntity({
  name: 'AdminSession',
  tableName: 'admin_session',
  properties: {
    /** SHA-256 (hex) of the cookie value: a database read does not yield a usable session. */
    id: p.string().primary(),
    userId: p.uuid(),
    csrfToken: p.string(),
    createdAt: p.datetime(),
    lastSeenAt: p.datetime(),
    expiresAt: p.datetime(),
  },
});
export class AdminSession extends AdminSessionSchema.class {}
AdminSessionSchema.setClass(AdminSession);

export const DeadLetterSchema = defineEntity({
  name: 'DeadLetterRow',
  tableName: 'dead_letter',
  properties: {
    id: p.uuid().primary(),
    /** `inbound` or `interactions`: the topic it was dead-lettered from and is replayed to. */
    topic: p.string(),
    /** The bus's message id; unique per topic, so a redelivered dead letter is stored once. */
    messageId: p.string(),
    orderingKey: p.string().nullable(),
    conversationId: p.string(),
    /** The event as published (JSON). */
    event: p.json<unknown>(),
    attributes: p.json<Record<string, string>>(),
    deliveryAttempts: p.integer().nullable(),
    deadLetteredAt: p.datetime(),
    replayedAt: p.datetime().nullable(),
    replays: p.integer(),
  },
});
export class DeadLetterRow extends DeadLetterSchema.class {}
DeadLetterSchema.setClass(DeadLetterRow);

export const ENTITIES = [InteractionSchema, DeliveryStatusSchema, WhatsAppChargeSchema, ApiKeySchema, AdminUserSchema, AdminSessionSchema, DeadLetterSchema];
