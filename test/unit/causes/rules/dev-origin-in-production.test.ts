import { RULES } from '../../../../src/causes/index.js';
import { devOriginInProduction } from '../../../../src/causes/rules/dev-origin-in-production.js';
import { fastapi, securityTable } from './security-cases.js';

const APP = 'https://app.example.com';

securityTable(devOriginInProduction, RULES, {
  insecure: [
    {
      name: 'localhost:3000 left beside the production frontend',
      files: fastapi(
        'allow_origins=["https://app.example.com", "http://localhost:3000"], allow_credentials=True',
      ),
      origins: [APP],
      origin: 'http://localhost:3000',
    },
  ],
  safe: [
    {
      name: 'a development setup: only development origins',
      files: fastapi('allow_origins=["http://localhost:3000"], allow_credentials=True'),
      origins: ['http://localhost:3000'],
    },
    {
      name: 'localhost beside production, without credentials',
      files: fastapi('allow_origins=["https://app.example.com", "http://localhost:3000"]'),
      origins: [APP],
    },
  ],
});
