// A new, empty database on the Postgres server of `base`, named `<prefix>_<time>`: for scripts that leave
// it behind on purpose (the pgbench A/B scripts print its URL so runs can be repeated against it), and for
// those that drop it when done (dropScratchDatabase).
import pg from 'pg';

export async function createScratchDatabase(base: string, prefix: string): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createScratchDatabase (its URL), whoever is still connected to it. */
export async function dropScratchDatabase(base: string, url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`drop database ${new URL(url).pathname.slice(1)} with (force)`);
  } finally {
    await admin.end();
  }
}
