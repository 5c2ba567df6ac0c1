// vitest setupFiles: runs in every test file's process before the file.
import { printLogsOnFailure } from './logs';

printLogsOnFailure();
