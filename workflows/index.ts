// Every workflow type the worker registers. One file per procedure; the kernel is shared.
export { cigOrdinaria } from './cigo';
export { cigStraordinaria } from './cigs';
export { fisAssegno } from './fis';
export { licenziamentoCollettivo } from './collective-dismissal';
export { presaInCarico } from './take-in-charge';
export { avviamentoSelezione } from './public-hiring';
