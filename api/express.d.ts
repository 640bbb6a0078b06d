import type { Logger } from 'winston';
import type { Principal } from './auth';

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
      principal?: Principal;
    }
  }
}
export {};
