// Every workflow type the worker registers. One file per procedure; the kernel is shared.
export { cigOrdinaria } from './cigo';
export { cigStraordinaria } from './cigs';
export { fisAssegno } from './fis';
export { licenziamentoCollettivo } from './collective-dismissal';
export { presaInCarico } from './take-in-charge';
export { avviamentoSelezione } from './public-hiring';
export { iscrizioneCollocamentoMirato } from './l68-enrolment';
export { obbligoCollocamentoMirato } from './l68-obligation';
export { campagnaProspettiL68 } from './l68-campaign';
