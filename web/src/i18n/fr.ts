import type { Messages } from './en.ts';

export const fr: Messages = {
  'app.name': 'Trellis',
  'nav.label': 'Sections de Trellis',
  'nav.catalog': 'Catalogue',
  'nav.requests': 'Mes demandes',
  'nav.approvals': 'Approbations',
  'nav.governance': 'Gouvernance',
  'nav.admin': 'Administration',
  'user.signOut': 'Se déconnecter',
  'user.menu': 'Compte : {name}',
  'signIn.title': 'Connexion à Trellis',
  'signIn.body': 'Trellis utilise votre compte professionnel. Vous reviendrez ici une fois connecté.',
  'signIn.action': 'Se connecter',
  'signIn.error': "La connexion n'a pas abouti ({reason}). Réessayez.",
  'signIn.signedOut': 'Vous êtes déconnecté.',
  'state.loading': 'Chargement…',
  'state.error': 'Un problème est survenu',
  'state.retry': 'Réessayer',
  'state.consent.title': 'Le consentement de votre organisation est nécessaire',
  'state.consent.body':
    'Trellis lit ceci avec vos propres droits dans Microsoft 365, et votre organisation ne l’a pas encore autorisé ({scopes}). Un administrateur peut l’accorder une fois pour tous.',
  'state.consent.action': 'Accorder le consentement (administrateurs)',
  'state.empty': 'Rien pour le moment',
  'state.forbidden':
    "Vous n'avez pas accès à cette section. Demandez le rôle {role} à un administrateur de Trellis.",
  'state.notFound': "Cette page n'existe pas.",
  'page.privacy.title': 'Confidentialité',
  'page.privacy.body':
    "Trellis conserve les demandes, modèles et traces d'audit de votre organisation dans sa propre base de données, hébergée par votre organisation. Il lit votre profil dans Microsoft Entra ID pour vous identifier.",
  'page.terms.title': "Conditions d'utilisation",
  'page.terms.body': 'Trellis est un logiciel libre sous licence MIT, exploité par votre organisation.',
  'common.close': 'Fermer',
  'common.cancel': 'Annuler',
  'common.save': 'Enregistrer',
  'common.search': 'Rechercher',
  'common.openInTeams': 'Ouvrir dans Teams',
};
