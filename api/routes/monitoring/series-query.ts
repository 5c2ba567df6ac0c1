// The time-zone query parameter shared by the monitoring series: buckets follow the ward's own days.
import { z } from '@hono/zod-openapi';
import { timeZonePattern } from '../../domain/series';

export const TimeZoneQuery = {
  tz: z
    .string()
    .max(64)
    .regex(timeZonePattern, 'an IANA time zone name, e.g. Asia/Jakarta')
    .default('UTC')
    .openapi({ description: 'IANA time zone whose midnights (and hours) bound the buckets; default UTC', example: 'Asia/Jakarta' }),
};
